"""The one table that maps each role to what it may do (SPEC §4). ``user.permissions`` shows it."""
ROLES = ("Producer", "Director", "Production Manager", "Crew", "VFX", "Distribution Manager")

_EVERYONE = {"users:read", "tasks:read", "script:read", "assets:read", "assets:upload", "schedule:read"}

PERMISSIONS = {
    "Producer": _EVERYONE | {
        "users:manage", "tasks:read_all", "tasks:write", "budget:read", "budget:write",
        "script:write", "vfx:read", "vfx:write", "assets:delete_any", "analytics:read", "activity:read",
        "distribution:read", "distribution:write", "schedule:write",
    },
    "Director": _EVERYONE | {"tasks:read_all", "script:write", "vfx:read", "schedule:write"},
    "Production Manager": _EVERYONE | {
        "users:manage_crew", "tasks:read_all", "tasks:write", "budget:read", "budget:write",
        "vfx:read", "assets:delete_any", "analytics:read", "activity:read", "schedule:write",
        "distribution:read",
    },
    "Crew": set(_EVERYONE),
    "VFX": _EVERYONE | {"vfx:read", "vfx:write"},
    "Distribution Manager": _EVERYONE | {"budget:read", "analytics:read", "distribution:read",
                                         "distribution:write"},
}

# Roles a Production Manager may create, edit and delete (and the only roles they may assign).
CREW_ROLES = ("Crew", "VFX")


def permissions_of(user):
    return sorted(PERMISSIONS.get(user.get("role"), ()))


def can(user, permission):
    return permission in PERMISSIONS.get(user.get("role"), ())
