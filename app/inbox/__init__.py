"""The task inbox (待办): the tasks API now, the browser pages with the inbox issue."""
