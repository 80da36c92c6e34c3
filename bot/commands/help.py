"""/help: every command, or one in detail. All of it comes from the declarations."""

from __future__ import annotations

from bot.commands.context import CommandContext
from bot.commands.registry import Command, CommandSet, Option, OptionKind
from bot.messages import Field, Reply

commands = CommandSet()


@commands.command(
    "help",
    Option("command", "A command to explain, like done or me", OptionKind.TEXT, max_length=40),
    examples=("/help", "/help done"),
)
async def show_help(ctx: CommandContext) -> Reply:
    """List every command, or explain one."""
    wanted = (ctx.text("command") or "").strip().lstrip("/").lower()
    registry = ctx.registry
    if not wanted:
        lines = [f"`{c.usage}` · {c.help}" for c in registry.commands if not c.admin_only]
        admin = [f"`{c.usage}` · {c.help}" for c in registry.commands if c.admin_only]
        fields = (Field("For admins", "\n".join(admin)),) if admin else ()
        return Reply(
            title="Cohort commands",
            body="\n".join([*lines, "", "`/help <command>` explains one in detail."]),
            fields=fields,
            ephemeral=True,
        )
    group = registry.groups().get(wanted)
    if group:
        return Reply(
            title=f"/{wanted}",
            body="\n".join(f"`{c.usage}` · {c.help}" for c in group),
            ephemeral=True,
        )
    return _explain(registry.get(wanted))


def _explain(command: Command) -> Reply:
    fields = [Field("Usage", f"`{command.usage}`")]
    if command.options:
        fields.append(Field("Options", "\n".join(_option_line(o) for o in command.options)))
    if command.examples:
        fields.append(Field("Examples", "\n".join(f"`{e}`" for e in command.examples)))
    if command.admin_only:
        fields.append(Field("Who", "Community admins only"))
    return Reply(title=f"/{command.name}", body=command.help, fields=tuple(fields), ephemeral=True)


def _option_line(option: Option) -> str:
    need = "required" if option.required else "optional"
    choices = f" ({', '.join(option.choices)})" if option.kind is OptionKind.CHOICE else ""
    return f"`{option.name}` · {option.description}{choices} · {need}"
