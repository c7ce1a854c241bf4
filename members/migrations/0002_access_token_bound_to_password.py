from django.db import migrations, models

from common.crypto import keyed_hash


def bind_existing_tokens(apps, schema_editor):
    # Tokens issued before the binding keep working until the password changes (same hash as
    # members.models.credentials_fingerprint).
    AccessToken = apps.get_model("members", "AccessToken")
    for token in AccessToken.objects.select_related("user").iterator(chunk_size=500):
        token.credentials_hash = keyed_hash(token.user.password, purpose="access-token-credentials")
        token.save(update_fields=["credentials_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="accesstoken",
            name="credentials_hash",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.RunPython(bind_existing_tokens, migrations.RunPython.noop),
    ]
