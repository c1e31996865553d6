"""The one photo pipeline: pure functions over image bytes, no database, no storage.

Every uploaded image, whatever it is for, goes through here: listing photos
(``media`` checks them on arrival and re-encodes them in a task) and avatars
(``accounts`` encodes them at once). It sits low in the layer order, beside
``core``, so both may import it and neither has to import the other.
"""
