"""The `If-Match` precondition (SPEC §2): checked by services inside the write lock."""
from utils.errors import PreconditionFailed
from utils.responses import etag_of


def check_if_match(resource, if_match):
    """Raise 412 when the client sent `If-Match` and none of its tags is the resource's current one."""
    if not if_match:
        return
    tags = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" not in tags and etag_of(resource) not in tags:
        raise PreconditionFailed("The resource changed since you read it (If-Match is stale): re-read and retry")
