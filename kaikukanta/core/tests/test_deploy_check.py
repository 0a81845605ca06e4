"""`manage.py check --deploy` under production settings: no warning at all, nothing silenced."""

import subprocess
import sys

from django.conf import settings

from kaikukanta.core.tests.test_security_headers import production_environment


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    environment = production_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output
