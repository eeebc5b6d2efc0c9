#!/usr/bin/env python3
"""Rebuild the reference lists under kb/reference/ from Microsoft's public sources.

The linter (`aadsts lint --source kb`, and the test suite) holds every page to these
lists: a cmdlet, parameter, `az` flag, Graph property, event ID, portal path or docs
address that is not in them is reported with its file and line. Nothing here runs at
build or test time; a maintainer runs it to refresh the lists, then reads the diff.

Each part reads one source and rewrites one file:

  az          azure-cli as installed from PyPI (its whole command table, loaded in
              process)                                   -> az-commands.tsv
  graph       microsoftgraph/msgraph-metadata (schemas/type-mappings/*.json, v1.0 and
              beta)                                      -> graph-properties.tsv
  cmdlets     MicrosoftDocs/microsoftgraph-docs-powershell, windows-powershell-docs and
              PowerShell-Docs (platyPS pages: one per cmdlet, `### -Parameter`
              headings)                                  -> cmdlets.tsv
  docs-urls   MicrosoftDocs/entra-docs and SupportArticles-docs (every Markdown and
              YAML page, mapped to its learn.microsoft.com address) -> docs-urls.txt
  codes       MicrosoftDocs/entra-docs docs/identity-platform/reference-error-codes.md
              (Microsoft's current table of AADSTS codes) -> documented-codes.tsv;
              the linter then reports the codes added, renamed or dropped upstream.

Repositories are read with git (`git ls-tree`, `git show`), so a bare mirror or a
blobless clone works:

  git clone --bare --filter=blob:none https://github.com/MicrosoftDocs/entra-docs

Usage:
  python3 -m venv /tmp/az && /tmp/az/bin/pip install azure-cli
  /tmp/az/bin/python scripts/refresh-reference.py az
  scripts/refresh-reference.py graph --repo PATH/msgraph-metadata
  scripts/refresh-reference.py cmdlets --repo PATH/microsoftgraph-docs-powershell \\
      --repo PATH/windows-powershell-docs --repo PATH/PowerShell-Docs
  scripts/refresh-reference.py docs-urls --repo PATH/entra-docs --repo PATH/SupportArticles-docs
  scripts/refresh-reference.py codes --repo PATH/entra-docs

Hand-verified rows (modules whose docs live outside those repositories, such as the
AzureADSSO and ADSync modules documented inside entra-docs articles) stay in the
`*-extra.tsv` files beside each list, one row each with the page that documents it;
this script never touches them.
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys

KB_REF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kb", "reference")


def git(repo, *args):
    return subprocess.run(
        ["git", "--git-dir", git_dir(repo), *args],
        check=True,
        capture_output=True,
    ).stdout


def git_dir(repo):
    for cand in (os.path.join(repo, ".git"), os.path.join(repo, "repo"), repo):
        if os.path.isfile(os.path.join(cand, "HEAD")):
            return cand
    sys.exit(f"{repo}: not a git repository")


def ls_files(repo):
    return git(repo, "ls-tree", "-r", "--name-only", "HEAD").decode().splitlines()


def show(repo, path):
    return git(repo, "show", f"HEAD:{path}").decode("utf-8", "replace")


def commit_of(repo):
    return git(repo, "rev-parse", "HEAD").decode().strip()


def write(name, header, rows):
    path = os.path.join(KB_REF, name)
    with open(path, "w", encoding="utf-8") as f:
        for h in header:
            f.write(f"# {h}\n")
        for r in rows:
            f.write(r + "\n")
    print(f"wrote {path}: {len(rows)} rows")


def today():
    return datetime.date.today().isoformat()


# ---- az ---------------------------------------------------------------------------

AZ_GLOBAL = "--debug --help --only-show-errors --output --query --verbose -h -o"


def part_az(_args):
    try:
        from azure.cli.core import get_default_cli
        import azure.cli.core as core
    except ImportError:
        sys.exit("azure-cli is not importable: run this with the Python of a venv that has `pip install azure-cli`")
    cli = get_default_cli()
    inv = cli.invocation_cls(
        cli_ctx=cli,
        commands_loader_cls=cli.commands_loader_cls,
        parser_cls=cli.parser_cls,
        help_cls=cli.help_cls,
    )
    cli.invocation = inv
    loader = inv.commands_loader
    table = loader.load_command_table(None)
    rows = []
    for name in sorted(table):
        loader.command_name = name
        # Argument contexts apply only to the command being "invoked" (knack checks the
        # invocation's command string), so say which one.
        inv.data["command_string"] = name
        try:
            loader.load_arguments(name)
        except Exception as e:  # a module that fails to load is reported, not fatal
            print(f"skipped {name}: {e}", file=sys.stderr)
            continue
        flags = set()
        for arg in loader.command_table[name].arguments.values():
            for o in arg.type.settings.get("options_list") or []:
                o = getattr(o, "target", o)
                if isinstance(o, str) and o.startswith("-"):
                    flags.add(o)
        rows.append(name + "\t" + " ".join(sorted(flags)))
    rows.insert(0, "*\t" + AZ_GLOBAL)
    write(
        "az-commands.tsv",
        [
            f"az commands and their flags, from azure-cli {core.__version__} (PyPI), {today()}.",
            "Rebuild: scripts/refresh-reference.py az (with a venv that has azure-cli).",
            "command<TAB>flags; the row `*` holds the global flags every command accepts.",
        ],
        rows,
    )


# ---- Graph properties -------------------------------------------------------------


def part_graph(args):
    repo = args.repo[0]
    rows = []
    for version in ("v1.0", "beta"):
        for kind in ("entity", "complex"):
            path = f"schemas/type-mappings/{version}-{kind}-types.json"
            data = json.loads(show(repo, path))
            for ns, types in data.items():
                for tname, t in sorted(types.items()):
                    names = sorted(set(t.get("properties", [])) | set(t.get("navigationProperties", [])))
                    if names:
                        rows.append(f"{version}\t{tname}\t{' '.join(names)}")
    write(
        "graph-properties.tsv",
        [
            f"Microsoft Graph entity and complex types with their properties, from microsoftgraph/msgraph-metadata {commit_of(repo)[:12]} (schemas/type-mappings), {today()}.",
            "Rebuild: scripts/refresh-reference.py graph --repo PATH/msgraph-metadata",
            "version<TAB>type<TAB>properties (structural and navigation)",
        ],
        rows,
    )


# ---- cmdlets ----------------------------------------------------------------------

PARAM = re.compile(r"^### -([A-Za-z][A-Za-z0-9]*)\s*$", re.M)
ALIASES = re.compile(r"^Aliases:[ \t]*(\S.*)$", re.M)


def parameters(text):
    """Parameter names and their aliases from a platyPS page."""
    out = set()
    heads = list(PARAM.finditer(text))
    for i, m in enumerate(heads):
        out.add(m.group(1))
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        a = ALIASES.search(text, m.end(), end)
        if a:
            for alias in re.split(r"[,\s]+", a.group(1).strip()):
                if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", alias) and alias.lower() != "none":
                    out.add(alias)
    return out
CMDLET_FILE = re.compile(r"/([A-Z][A-Za-z]+-[A-Za-z0-9]+)\.md$")


def part_cmdlets(args):
    found = {}
    sources = []
    for repo in args.repo:
        files = ls_files(repo)
        sources.append(f"{os.path.basename(os.path.normpath(repo))}@{commit_of(repo)[:12]}")
        for path in files:
            m = CMDLET_FILE.search(path)
            if not m:
                continue
            # Only reference pages: Graph PowerShell, Windows Server modules, PowerShell
            # 7.5 and Windows PowerShell 5.1 (the shell on the servers behind sign-in).
            if not (
                path.startswith("microsoftgraph/graph-powershell-")
                or path.startswith("docset/winserver2025-ps/")
                or path.startswith("reference/7.5/")
                or path.startswith("reference/5.1/")
            ):
                continue
            name = m.group(1)
            module = path.split("/")[-2]
            try:
                text = show(repo, path)
            except subprocess.CalledProcessError:
                continue
            params = parameters(text)
            entry = found.setdefault(name, [module, set(), path])
            entry[1] |= params
    rows = [f"{n}\t{m}\t{' '.join(sorted(p))}\t{src}" for n, (m, p, src) in sorted(found.items())]
    write(
        "cmdlets.tsv",
        [
            f"PowerShell cmdlets and their parameters, from {', '.join(sources)}, {today()}.",
            "Rebuild: scripts/refresh-reference.py cmdlets --repo … (see the script's help).",
            "cmdlet<TAB>module<TAB>parameters<TAB>documenting file; common parameters are implied.",
        ],
        rows,
    )


# ---- docs URLs --------------------------------------------------------------------


def part_docs_urls(args):
    urls = set()
    sources = []
    for repo in args.repo:
        sources.append(f"{os.path.basename(os.path.normpath(repo))}@{commit_of(repo)[:12]}")
        for path in ls_files(repo):
            if not (path.endswith(".md") or path.endswith(".yml")):
                continue
            if path.startswith("docs/"):
                urls.add("https://learn.microsoft.com/entra/" + path[5:].rsplit(".", 1)[0])
            elif path.startswith("support/entra/entra-id/") or path.startswith("support/azure/active-directory/"):
                rest = path[len("support/"):].rsplit(".", 1)[0]
                urls.add(("https://learn.microsoft.com/troubleshoot/" + rest).lower())
    write(
        "docs-urls.txt",
        [
            f"learn.microsoft.com addresses of Microsoft's Entra docs, from {', '.join(sources)}, {today()}.",
            "Rebuild: scripts/refresh-reference.py docs-urls --repo PATH/entra-docs --repo PATH/SupportArticles-docs",
        ],
        sorted(urls),
    )


# ---- codes ------------------------------------------------------------------------

ROW = re.compile(r"^\|\s*`?AADSTS(\d+)`?\s*\|\s*(.*?)\s*\|\s*$")


def part_codes(args):
    repo = args.repo[0]
    text = show(repo, "docs/identity-platform/reference-error-codes.md")
    seen = {}
    for line in text.splitlines():
        m = ROW.match(line)
        if not m:
            continue
        code, desc = m.group(1), m.group(2)
        # The description starts with Microsoft's identifier when one is published:
        # "InvalidUserNameOrPassword - Error validating credentials …".
        nm = re.match(r"^([A-Z][A-Za-z0-9]+)\s+-\s+", desc)
        name = nm.group(1) if nm else ""
        seen.setdefault(int(code), name)
    write_plain = os.path.join(KB_REF, "documented-codes.tsv")
    # Keep the short gists written for codes the table gives no name.
    old_gists = {}
    if os.path.exists(write_plain):
        for line in open(write_plain, encoding="utf-8").read().splitlines()[1:]:
            cols = line.split("\t")
            if len(cols) >= 3 and cols[0].isdigit():
                old_gists[int(cols[0])] = cols[2]
    rows = [f"{c}\t{n}\t{'' if n else old_gists.get(c, '')}" for c, n in sorted(seen.items())]
    with open(write_plain, "w", encoding="utf-8") as f:
        f.write("code\tofficial_name\tgist_when_unnamed\n")
        for r in rows:
            f.write(r + "\n")
    print(f"wrote {write_plain}: {len(rows)} codes from entra-docs {commit_of(repo)[:12]}")
    print("now run `aadsts lint --source kb`: it lists the codes added, renamed or dropped upstream")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("part", choices=["az", "graph", "cmdlets", "docs-urls", "codes"])
    ap.add_argument("--repo", action="append", default=[], help="a local clone or bare mirror")
    args = ap.parse_args()
    if args.part != "az" and not args.repo:
        sys.exit(f"{args.part}: give --repo PATH")
    {"az": part_az, "graph": part_graph, "cmdlets": part_cmdlets, "docs-urls": part_docs_urls, "codes": part_codes}[
        args.part
    ](args)


if __name__ == "__main__":
    main()
