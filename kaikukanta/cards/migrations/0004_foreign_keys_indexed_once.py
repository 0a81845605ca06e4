# The cards' foreign keys keep one index each: issuer's is the leading column of (issuer, issued_on), and the two
# code columns lose the pattern-matching copy (varchar_pattern_ops) Django adds to a text key, which nothing uses.
# The new plain indexes are built first, without blocking writes, then the old ones are dropped.

import django.db.models.deletion
from django.db import migrations, models

from kaikukanta.core.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('cards', '0003_children_birth_years'),
        ('network', '0006_offering_ticket_price'),
        ('reference', '0002_load_reference_data'),
    ]

    operations = [
        AddIndexOnline(
            model_name='card',
            index=models.Index(fields=['postal_code'], name='cards_card_postal_code'),
        ),
        AddIndexOnline(
            model_name='card',
            index=models.Index(fields=['home_municipality'], name='cards_card_home_municipality'),
        ),
        migrations.AlterField(
            model_name='card',
            name='home_municipality',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reference.municipality'),
        ),
        migrations.AlterField(
            model_name='card',
            name='issuer',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='issued_cards', to='network.organisation'),
        ),
        migrations.AlterField(
            model_name='card',
            name='postal_code',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reference.postalcode'),
        ),
    ]
