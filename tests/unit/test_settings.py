"""Settings: where things go by default."""


def test_an_s3_datasets_local_side_is_in_the_users_cache_not_the_source_tree(monkeypatch, tmp_path):
    from flows.settings import REPO_ROOT, Settings

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    settings = Settings(curated_dir="s3://bucket/some/prefix")
    assert settings.output_dir == tmp_path / "cache" / "xxgk" / "s3" / "bucket" / "some" / "prefix"
    assert REPO_ROOT not in settings.audit_dir.parents
