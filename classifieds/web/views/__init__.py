"""Pages that compose several domains, one module per page (or wizard); each view stays thin.

Every view here reads through querysets and writes through services of the apps below;
none of them imports another view module.
"""
