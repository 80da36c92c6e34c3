"""Cohort on Discord: discord.py app commands, embeds, buttons and modals."""
