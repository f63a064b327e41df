from celery import shared_task


@shared_task
def papers_remind() -> dict:
    """Daily: warn before insurance and inspection run out, flag what is overdue (vehicles.services)."""
    from .services import papers_remind as remind

    return remind()
