"""The layers (README, Architecture): services import one another one way only, and no service or
route reaches past the storage interface into a collection's stored shape."""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def service_imports():
    """service -> the services it imports (module level and inside functions alike)."""
    graph = {}
    for path in sorted((ROOT / "services").glob("*.py")):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "services":
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("services."):
                imported.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("services.")}
        graph[path.stem] = imported - {path.stem}
    return graph


def cycle(graph):
    """One import circle as a list of modules, or None."""
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for child in sorted(graph.get(node, ())):
            if state.get(child) == "open":
                return trail[trail.index(child):] + [child]
            if child not in state:
                found = visit(child, trail + [child])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [node])
            if found:
                return found
    return None


def test_no_service_imports_another_in_a_circle():
    graph = service_imports()
    assert {"script", "vfx", "assets"} <= set(graph)
    assert cycle(graph) is None


def test_the_circle_finder_finds_a_circle():
    assert cycle({"assets": {"script"}, "script": {"vfx"}, "vfx": {"assets"}}) == ["assets", "script", "vfx", "assets"]


def test_no_service_or_route_indexes_a_collections_stored_items():
    for folder in ("services", "routes"):
        for path in sorted((ROOT / folder).glob("*.py")):
            assert '["items"]' not in path.read_text(), path


def imported_packages(package):
    """{module path: top-level packages of this project it imports} for every module under ``package``."""
    found = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
        found[str(path.relative_to(ROOT))] = names & {"routes", "services", "utils", "app", "cli"}
    return found


def test_imports_point_down_the_layers_routes_services_utils():
    assert {path: names for path, names in imported_packages("utils").items() if names - {"utils"}} == {}
    assert {path: names for path, names in imported_packages("services").items()
            if names - {"services", "utils"}} == {}
