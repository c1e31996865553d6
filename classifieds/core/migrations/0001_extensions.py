from django.contrib.postgres.operations import BtreeGinExtension, TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """Extensions the search backend relies on (typo tolerance, accents, GIN on scalars)."""

    initial = True
    dependencies = []
    operations = [TrigramExtension(), UnaccentExtension(), BtreeGinExtension()]
