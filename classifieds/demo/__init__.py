"""Demo data at scale for ``manage.py seed_demo`` (its own app: nothing but this command and tests import it).

Nothing is imported here: the package is an installed app, loaded before the models are.

Believable listings (ru ~70 %, uz ~30 %) in every leaf category, with attribute
values valid against each leaf's schema, a pool of demo sellers, and photos
drawn from a small pool of generated images saved once under ``demo/``.

- ``kinds``: what a leaf sells (prices, currency, condition, photo counts);
- ``vocab``: words, nouns, title templates and reference prices;
- ``blueprint``: the catalog compiled once into fast per-leaf generators;
- ``generate``: rows as COPY text; ``photos``: the image pool;
- ``load``: COPY in one transaction, index rebuild, ANALYZE (``seed_demo``).

Determinism: the data depends only on the seed, ``now`` and the catalog (ids
depend on what the tables already hold).
"""
