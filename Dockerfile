# Cohort's bot image: small (slim Python, no build tools in the final stage), runs as a
# non-root user, and keeps dependencies in a layer of their own that is rebuilt only when
# pyproject.toml changes.
FROM python:3.11-slim AS dependencies
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /build
RUN python -m venv /venv
COPY pyproject.toml README.md LICENSE ./
# Install what pyproject.toml depends on, not Cohort itself (its code comes in later).
RUN mkdir bot adapters && touch bot/__init__.py adapters/__init__.py \
 && /venv/bin/pip install . \
 && /venv/bin/pip uninstall --yes cohort

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin cohort
WORKDIR /app
COPY --from=dependencies /venv /venv
COPY bot ./bot
COPY adapters ./adapters
COPY content ./content
COPY migrations ./migrations
ENV PATH=/venv/bin:$PATH \
    PYTHONPATH=/app \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    COHORT_HTTP_HOST=0.0.0.0 \
    COHORT_HTTP_PORT=8080
USER cohort
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["python", "-m", "bot.cli"]
CMD ["run"]
