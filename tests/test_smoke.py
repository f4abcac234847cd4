def test_health_is_public_and_enveloped(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.get_json() == {"success": True, "data": {"status": "ok", "version": "1.0.0"}, "message": "API is up"}


def test_producer_lists_the_six_users(client, auth):
    response = client.get("/api/users", headers=auth.headers("producer"))
    assert response.status_code == 200
    assert sorted(u["username"] for u in response.get_json()["data"]) == sorted(
        ["producer", "director", "pm", "crew", "vfx", "distribution"]
    )
