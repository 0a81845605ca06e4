from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cards", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="card",
            name="holder_coarsened_on",
            field=models.DateField(blank=True, null=True),
        ),
    ]
