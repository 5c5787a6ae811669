import click

tokens_cli = click.Group("tokens")
