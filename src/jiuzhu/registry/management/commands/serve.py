"""``jiuzhu serve [--host 127.0.0.1] [--port 8000] [--workers 2] [--no-jobs]``: run the platform
under gunicorn (threaded workers, 4 threads each) against whatever database the settings name (``DATABASE_URL``, else SQLite in
the data directory). Static files come through WhiteNoise with finders, so no collectstatic.

Beside gunicorn it starts the background-job worker (``jiuzhu jobs_worker``: the jobs a killed
worker left running are marked failed, then ``db_worker`` runs; see ``jiuzhu.common.jobs``) so the demo stays one command; the worker stops with the server (on
Ctrl+C or SIGTERM, and through the kernel's parent-death signal if the server is killed)."""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


def gunicorn_options(*, host: str, port: int, workers: int) -> dict:
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        # Threads in each worker: a slow request (a 100 MB upload streaming in) holds one thread,
        # not a whole worker, so two uploads at once leave /api/health and the screens answering.
        "worker_class": "gthread",
        "threads": 4,
        "timeout": 120,  # a large export may take a while
        "graceful_timeout": 10,
        "accesslog": "-",
        "errorlog": "-",
        # gunicorn's own loggers write the platform's JSON lines to the console and the data dir.
        "logconfig_dict": settings.LOGGING,
        "proc_name": "jiuzhu",
        # gunicorn ≥ 25 opens a control socket in the home directory; two demo servers on one
        # machine would fight over it.
        "control_socket_disable": True,
    }


def _die_with_parent() -> None:  # runs in the child between fork and exec (Linux)
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def start_job_worker() -> subprocess.Popen:
    """The background-job worker as a child process of this one."""
    return subprocess.Popen(
        [sys.executable, "-m", "jiuzhu.config.cli", "jobs_worker", "--interval", "1"],
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )


def stop_job_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()  # the worker finishes the job it runs, marks it, and exits
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Command(BaseCommand):
    help = "用 gunicorn 启动救助平台（数据库由 DATABASE_URL 指定，未指定时为数据目录中的 SQLite）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument("--workers", type=int, default=2, help="工作进程数（默认 2）")
        parser.add_argument(
            "--no-jobs", action="store_true", help="不启动后台任务进程（另行运行 jiuzhu db_worker 时）"
        )

    def handle(self, *args, host, port, workers, no_jobs=False, **options):
        from gunicorn.app.base import BaseApplication

        if workers < 1:
            raise CommandError("--workers 至少为 1")
        if not 0 < port < 65536:
            raise CommandError(f"端口 {port} 无效")

        class Jiuzhu(BaseApplication):
            def __init__(self, options: dict):
                self.options = options
                super().__init__()

            def load_config(self):
                for key, value in self.options.items():
                    if key in self.cfg.settings:  # older gunicorn lacks some settings
                        self.cfg.set(key, value)

            def load(self):
                from jiuzhu.config.wsgi import application

                return application

        # Workers are forked from this process: none of them may inherit its connections.
        connections.close_all()
        # WhiteNoise serves from finders; an existing STATIC_ROOT spares a warning per worker.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(self.style.SUCCESS(f"救助平台已启动：http://{shown}:{port}/  （Ctrl+C 停止）"))
        self.stdout.flush()
        worker = None if no_jobs else start_job_worker()
        try:
            Jiuzhu(gunicorn_options(host=host, port=port, workers=workers)).run()
        finally:
            if worker is not None:
                stop_job_worker(worker)
