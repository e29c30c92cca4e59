"""A local, faithful Amazon SES endpoint (v1 query/XML and v2 REST-JSON) plus a DNS zone
server, for the demo, end-to-end tests and benchmarks. A development tool: the Django
apps never import it. See emulator/README.md."""
