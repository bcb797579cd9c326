"""The coordinator's round page: links and responses per group."""

from app.extensions import db
from app.models import Response, ResponseStatus, Role, utcnow
from tests.factories import (
    load_fixture_bank, make_community, make_group, make_link, make_round, make_user,
)
from tests.helpers import log_in


def test_the_round_page_lists_each_groups_link_and_its_complete_responses(client, app):
    community = make_community("harbour", name="Harbour Quarter")
    youth = make_group(community, "youth", name="Young people", target_responses=40)
    seniors = make_group(community, "seniors", name="Older residents")
    survey_round = make_round(community, load_fixture_bank(), groups=[youth, seniors])
    youth_link, seniors_link = make_link(survey_round, youth), make_link(survey_round, seniors)
    for status in (ResponseStatus.COMPLETE, ResponseStatus.COMPLETE, ResponseStatus.IN_PROGRESS):
        db.session.add(Response(round_id=survey_round.id, group_id=youth.id, language="en",
                                status=status, submitted_at=utcnow()))
    make_user("noa@example.org", memberships=[(community, Role.COORDINATOR)])
    db.session.commit()

    log_in(client, "noa@example.org")
    html = client.get(f"/coordinate/rounds/{survey_round.id}").get_data(as_text=True)

    assert f"/s/{youth_link.token}" in html and f"/s/{seniors_link.token}" in html
    youth_row = html[html.index("Young people"):html.index("Older residents")]
    assert "<td>2</td>" in youth_row  # the unfinished response does not count
    assert "<td>40</td>" in youth_row
    assert ">open<" in html
