from django.db import migrations


def seed_questionnaires(apps, schema_editor):
    from crm.surveys.defaults import ensure_default_questionnaires

    ensure_default_questionnaires(
        questionnaire_model=apps.get_model("surveys", "Questionnaire"),
        question_model=apps.get_model("surveys", "Question"),
        choice_model=apps.get_model("surveys", "Choice"),
    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(seed_questionnaires, migrations.RunPython.noop)]
