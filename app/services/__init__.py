"""Services read rows, call the domain, write back. They flush; the request or task commits."""
