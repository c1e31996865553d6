"""Uzbek (Latin) endings stripped from the Latin skeleton of indexed text, the SQL twin of ``text.uz_stem``.

``bozor_uz_stem(text)`` drops one case or plural ending from every word when at least four letters
remain, the longest ending first (the lazy stem makes the regular expression prefer it): ``toshkentda``
→ ``toshkent``, ``plitalari`` → ``plita``. A test keeps it equal to the Python function over sample words.
"""

from django.db import migrations

# Same endings as classifieds.search.text.UZ_SUFFIXES (copied: a migration never changes under you).
SUFFIXES = (
    "larining laridan larida larini larga lardan larda larni ning dagi lari dan lar da ga ni ka qa"
).split()

STEM_SQL = f"""
CREATE OR REPLACE FUNCTION bozor_uz_stem(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
SELECT regexp_replace(value, '\\m([[:alnum:]]{{4,}}?)({"|".join(SUFFIXES)})\\M', '\\1', 'g')
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunSQL(STEM_SQL, "DROP FUNCTION IF EXISTS bozor_uz_stem(text);")]
