"""The app as gunicorn serves it in the load benchmark, with the minimal endpoint beside it
(the floor: what one request through the same server and stack costs at the least)."""

from app import create_app

app = create_app()
app.add_url_rule("/bench/minimal", "bench_minimal", lambda: "ok")
