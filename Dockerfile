FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PARTNERDESK_DATABASE=/data/partnerdesk.sqlite3 \
    PARTNERDESK_DATA_DIR=/data

RUN useradd --create-home --uid 10001 partnerdesk \
    && mkdir /data /backups && chown partnerdesk:partnerdesk /data /backups

WORKDIR /app
COPY pyproject.toml README.md ./
COPY locales ./locales
COPY bot ./bot
RUN pip install --no-cache-dir . && rm -rf /app/build

USER partnerdesk
WORKDIR /data
VOLUME ["/data"]
# Webhook mode (PARTNERDESK_WEBHOOK_URL) listens here; /healthz answers 200 or 503.
EXPOSE 8080
# `docker stop` sends SIGTERM to partnerdesk (PID 1, exec form below): it stops taking updates,
# finishes the ones in hand and closes the database. Give it time: stop_grace_period in compose.
STOPSIGNAL SIGTERM
CMD ["partnerdesk", "run"]
