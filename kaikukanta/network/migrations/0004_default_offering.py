# The offering a venue's desk starts with. Nullable: the release before this one knows nothing of it.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0003_venue_contact_fields'),
    ]

    operations = [
        migrations.AddField(
            model_name='organisation',
            name='default_offering',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="network.offering"),
        ),
    ]
