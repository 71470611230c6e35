"""Review tasks: an article waiting in review gets one per round (the pack's
``knowledge.review_within``, DataFlow's weekly manager review)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('kb', '0003_article_index_language'),
    ]

    operations = [
        migrations.AlterField(
            model_name='kbtask',
            name='kind',
            field=models.CharField(choices=[('handle_time', 'Handle Time'), ('recurring_code', 'Recurring Code'), ('requested', 'Requested'), ('review', 'Review')], max_length=20),
        ),
        migrations.AddConstraint(
            model_name='kbtask',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'review')), fields=('article', 'due_at'), name='one_review_task_per_round'),
        ),
    ]
