# The visits' foreign keys lose their single-column indexes: each is the leading column of an index in Meta.indexes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cards', '0004_foreign_keys_indexed_once'),
        ('network', '0006_offering_ticket_price'),
        ('visits', '0002_visit_ticket_value'),
    ]

    operations = [
        migrations.AlterField(
            model_name='visit',
            name='card',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='cards.card'),
        ),
        migrations.AlterField(
            model_name='visit',
            name='offering',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='network.offering'),
        ),
        migrations.AlterField(
            model_name='visit',
            name='venue',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='visits', to='network.organisation'),
        ),
    ]
