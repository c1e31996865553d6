"""Listing search: backends behind one interface, the search-results page, the outbox consumer."""
