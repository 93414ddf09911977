from celery import shared_task


@shared_task(ignore_result=True)
def erase_expired_cases() -> int:
    """Erase the closed cases past their retention period (weekly). Safe to run
    twice: erased cases are no longer selected."""
    from casework import retention

    return retention.erase_expired_cases(source="task casework.tasks.erase_expired_cases").erased
