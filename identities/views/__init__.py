"""Views, one module per page or concern; URLs in identities/urls.py."""
