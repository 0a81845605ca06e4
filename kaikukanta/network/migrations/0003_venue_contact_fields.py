# A venue's public page: its contact as an organisation (typed fields), address, hours, booking and
# accessibility. Every column has a database default, so the release before this one can still insert sites.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('network', '0002_guidelines'),
    ]

    operations = [
        migrations.AddField(
            model_name='organisation',
            name='accessibility_info',
            field=models.CharField(blank=True, db_default='', default='', max_length=1000),
        ),
        migrations.AddField(
            model_name='organisation',
            name='booking_info',
            field=models.CharField(blank=True, db_default='', default='', max_length=500),
        ),
        migrations.AddField(
            model_name='organisation',
            name='booking_needed',
            field=models.BooleanField(db_default=True, default=True),
        ),
        migrations.AddField(
            model_name='organisation',
            name='children_welcome',
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name='organisation',
            name='opening_hours',
            field=models.CharField(blank=True, db_default='', default='', max_length=500),
        ),
        migrations.AddField(
            model_name='organisation',
            name='public_email',
            field=models.EmailField(blank=True, db_default='', default='', max_length=254),
        ),
        migrations.AddField(
            model_name='organisation',
            name='public_phone',
            field=models.CharField(blank=True, db_default='', default='', max_length=40),
        ),
        migrations.AddField(
            model_name='organisation',
            name='street_address',
            field=models.CharField(blank=True, db_default='', default='', max_length=200),
        ),
        migrations.AddField(
            model_name='organisation',
            name='website',
            field=models.URLField(blank=True, db_default='', default=''),
        ),
    ]
