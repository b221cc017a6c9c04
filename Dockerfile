FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PARTNERDESK_DATABASE=/data/partnerdesk.sqlite3

RUN useradd --create-home --uid 10001 partnerdesk \
    && mkdir /data && chown partnerdesk:partnerdesk /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY locales ./locales
COPY bot ./bot
RUN pip install --no-cache-dir . && rm -rf /app/build

USER partnerdesk
WORKDIR /data
VOLUME ["/data"]
CMD ["partnerdesk", "run"]
