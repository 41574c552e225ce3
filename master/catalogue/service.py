"""What CatalogService and TokenService call: the catalogue of a project (jobs, scripts, nodes,
groups, accounts, job variables, the file server's entries), projects, and project tokens.

Each method is one call on the database threads: a rule of rules.py, or a store function once
the project is known to exist. Rows come back as the store reads them.
"""

from __future__ import annotations

import time

from master.catalogue import jobs as job_rules
from master.catalogue import links, resolve, rules, validate
from master.catalogue.jobs import JobView
from master.db.connection import DbRunner
from master.db.models import (
    Account,
    Node,
    NodeGroup,
    Project,
    Script,
    StoredFile,
    Token,
    Variable,
)
from master.domain import ListFilter, ScriptType, Step, VariableInput
from master.errors import InvalidArgument, NotFound
from master.secrets import SecretBox
from master.store import catalogue, files, jobs, projects, tokens


class Catalogue:
    """A project's catalogue and the projects themselves; accounts' keys and passwords are
    sealed with `secrets` before they are stored."""

    def __init__(self, run_db: DbRunner, secrets: SecretBox) -> None:
        self.run_db = run_db
        self.secrets = secrets

    # --- projects

    async def create_project(self, name: str, project_id: int = 0) -> Project:
        return await self.run_db(projects.create_project, name, project_id)

    async def list_projects(self) -> list[Project]:
        return await self.run_db(projects.list_projects)

    async def require_project(self, project_id: int) -> None:
        """NOT_FOUND unless the project exists."""
        await self.run_db(projects.require_project, project_id)

    # --- jobs

    async def list_jobs(
        self, project_id: int, f: ListFilter, permanent_only: bool = False
    ) -> tuple[list[JobView], int]:
        return await self.run_db(job_rules.list_jobs, project_id, f, permanent_only)

    async def get_job(self, project_id: int, uuid: str, name: str, job_id: int = 0) -> JobView:
        return await self.run_db(job_rules.get_job, project_id, uuid, name, job_id)

    async def save_job(
        self,
        project_id: int,
        name: str,
        permanent: bool,
        steps: list[Step],
        actor: str,
        uuid: str = "",
    ) -> JobView:
        """A new job, or (`uuid`) the job of that uuid saved again (jobs.save_job)."""
        return await self.run_db(
            job_rules.save_job, project_id, name, permanent, steps, actor, uuid
        )

    async def delete_job(self, project_id: int, uuid: str) -> None:
        await self.run_db(jobs.delete, project_id, uuid)

    # --- scripts

    async def list_scripts(self, project_id: int, f: ListFilter) -> tuple[list[Script], int]:
        await self.require_project(project_id)
        return await self.run_db(catalogue.scripts, project_id, f)

    async def get_script(self, project_id: int, script_id: int) -> Script:
        """One of the project's scripts, or of the shared project 0 (read only from here)."""
        return await self.run_db(catalogue.readable_script, project_id, script_id)

    async def save_script(
        self,
        project_id: int,
        name: str,
        script_type: ScriptType,
        content: str,
        actor: str,
        script_id: int = 0,
    ) -> Script:
        """A new script, or (`script_id`) that script saved again."""
        return await self.run_db(
            rules.save_script, project_id, name, script_type, content, actor, script_id
        )

    async def delete_script(self, project_id: int, script_id: int) -> None:
        await self.run_db(catalogue.delete, Script, project_id, script_id, "script")

    # --- nodes

    async def list_nodes(self, project_id: int, f: ListFilter) -> tuple[list[Node], int]:
        await self.require_project(project_id)
        return await self.run_db(catalogue.nodes, project_id, f)

    async def create_node(
        self,
        project_id: int,
        name: str,
        inip: str,
        exip: str,
        ssh_port: int,
        slave: str,
        actor: str,
        cloud_id: int = 0,
    ) -> Node:
        return await self.run_db(
            rules.create_node, project_id, name, inip, exip, ssh_port, slave, actor, cloud_id
        )

    async def delete_node(self, project_id: int, node_id: int) -> None:
        await self.run_db(catalogue.delete, Node, project_id, node_id, "node")

    async def check_nodes(self, project_id: int, names: list[str]) -> tuple[list[str], list[str]]:
        """(known, unknown) of the names, for this project."""
        await self.require_project(project_id)
        return await self.run_db(resolve.check, project_id, names)

    # --- node groups

    async def list_groups(self, project_id: int, f: ListFilter) -> tuple[list[NodeGroup], int]:
        await self.require_project(project_id)
        return await self.run_db(catalogue.groups, project_id, f)

    async def get_group(self, project_id: int, group_id: int) -> NodeGroup:
        return await self.run_db(catalogue.one, NodeGroup, project_id, group_id, "node group")

    async def save_group(
        self, project_id: int, name: str, plugin: str, params: str, actor: str, group_id: int = 0
    ) -> NodeGroup:
        """A new group, or (`group_id`) that group saved again."""
        return await self.run_db(
            rules.save_group, project_id, name, plugin, params, actor, group_id
        )

    async def delete_group(self, project_id: int, group_id: int) -> None:
        await self.run_db(catalogue.delete, NodeGroup, project_id, group_id, "node group")

    async def resolve_group(self, project_id: int, group_id: int) -> list[str]:
        return await self.run_db(rules.resolve_group, project_id, group_id)

    # --- accounts

    async def list_accounts(self, project_id: int, f: ListFilter) -> tuple[list[Account], int]:
        await self.require_project(project_id)
        return await self.run_db(catalogue.accounts, project_id, f)

    async def create_account(
        self, project_id: int, username: str, private_key: str, password: str, actor: str
    ) -> Account:
        return await self.run_db(
            rules.create_account, project_id, username, private_key, password, actor, self.secrets
        )

    async def delete_account(self, project_id: int, account_id: int) -> None:
        await self.run_db(catalogue.delete, Account, project_id, account_id, "account")

    # --- job variables

    async def list_variables(
        self,
        project_id: int,
        job_uuid: str,
        job_name: str,
        empty_only: bool,
        exclude: list[str],
        env: str = "",
    ) -> tuple[str, list[Variable]]:
        """The job's uuid and its variables (see rules.list_variables)."""
        return await self.run_db(
            rules.list_variables, project_id, job_uuid, job_name, empty_only, exclude, env
        )

    async def save_variable(
        self, project_id: int, job_uuid: str, item: VariableInput, var_id: int
    ) -> Variable:
        return await self.run_db(
            rules.save_variable,
            project_id,
            job_uuid,
            item.name,
            item.value,
            item.describe,
            var_id,
            item.option,
        )

    async def save_variables(
        self, project_id: int, job_uuid: str, items: list[VariableInput]
    ) -> list[Variable]:
        """Upserted by name, in one transaction."""
        return await self.run_db(rules.save_variables, project_id, job_uuid, items)

    async def delete_variable(
        self, project_id: int, job_uuid: str, name: str, job_id: int = 0
    ) -> None:
        """From the job of that uuid, or of that row id (`job_id`)."""
        await self.run_db(rules.delete_variable, project_id, job_uuid, name, job_id)

    # --- the file server's entries (their bytes are in the file store, filestore.py)

    async def list_files(self, project_id: int, f: ListFilter) -> tuple[list[StoredFile], int]:
        await self.require_project(project_id)
        return await self.run_db(files.search, project_id, f)

    async def check_upload(self, project_id: int, name: str) -> None:
        """Refuse an upload to no project or under a name that is not one plain file name,
        before any byte of it is kept."""
        await self.require_project(project_id)
        validate.file_name(name)

    async def save_file(
        self, project_id: int, name: str, sha256: str, size: int, actor: str
    ) -> StoredFile:
        """Name the stored blob in the project's file server (a name taken is replaced)."""
        return await self.run_db(files.save, project_id, name.strip(), sha256, size, actor)

    async def delete_file(self, project_id: int, file_id: int) -> None:
        await self.run_db(files.delete, project_id, file_id)

    # --- a job's monitor settings; links (links.py)

    async def set_job_monitor(
        self, project_id: int, uuid: str, mon_ids: str, mon_status: bool, actor: str
    ) -> JobView:
        return await self.run_db(
            job_rules.set_job_monitor, project_id, uuid, mon_ids, mon_status, actor
        )

    async def link_variable(self, project_id: int, job_uuid: str, name: str) -> str:
        return await self.run_db(links.variable_key, self.secrets, project_id, job_uuid, name)

    async def link_file(self, project_id: int, name: str) -> tuple[StoredFile, str, int]:
        """(the file, a download key for it, when the key expires in unix seconds)."""
        return await self.run_db(links.file_key, self.secrets, project_id, name, time.time())

    async def downloadable(self, project_id: int, key: str) -> StoredFile:
        """The file a download key of this project names (NOT_FOUND for any other key)."""
        return await self.run_db(links.downloadable, self.secrets, project_id, key, time.time())


class Tokens:
    """A project's tokens (stored as digests) and the lookup the authenticator makes."""

    def __init__(self, run_db: DbRunner) -> None:
        self.run_db = run_db

    async def list(self, project_id: int, f: ListFilter, token: str) -> tuple[list[Token], int]:
        """The project's tokens (`token` set: only that one), without their secrets."""
        await self.run_db(projects.require_project, project_id)
        return await self.run_db(tokens.search, project_id, f, token)

    async def create(
        self,
        project_id: int,
        token: str,
        describe: str,
        actor: str,
        run_job: bool = False,
        job_name: str = "",
    ) -> tuple[Token, str]:
        """(row, the plain token): `token` if given, else one made now. `run_job`: an upload
        with the token then runs `job_name`, a job of the project."""
        await self.run_db(projects.require_project, project_id)
        job_name = job_name.strip() if run_job else ""
        if run_job:
            await self.run_db(_require_job_named, project_id, job_name)
        return await self.run_db(tokens.create, project_id, token, describe, actor, job_name)

    async def delete(self, project_id: int, token_id: int) -> None:
        await self.run_db(tokens.delete, project_id, token_id)

    async def by_digest(self, hashed: str) -> Token | None:
        """The token whose digest this is, if any."""
        return await self.run_db(tokens.by_digest, hashed)


def _require_job_named(project_id: int, name: str) -> None:
    """A token's job must exist when it is made (it may be deleted later: the upload says so)."""
    if not name:
        raise InvalidArgument("is required to run a job after an upload", "job_name")
    try:
        jobs.get(project_id, "", name)
    except NotFound as exc:
        raise InvalidArgument(f"no job named {name!r} in this project", "job_name") from exc
