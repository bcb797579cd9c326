"""Pure domain logic: no Flask, no SQLAlchemy, so it is fast to test and easy to reuse."""
