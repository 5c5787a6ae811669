"""The scheduler (定时任务): starts new cases on the engine and fires due timers, exactly once.

`sweep.sweep()` does one pass; `runner` runs passes with APScheduler, waking at the earliest due
instant and on a slow safety interval, in the app process or as `flask scheduler run`.
"""
