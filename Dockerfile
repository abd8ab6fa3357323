FROM python:3.11-slim
WORKDIR /app
# gcc and SQLite's headers build indexing._rank (the SQLite store's ranking with kept
# phrase counts, setup.py); without them the install still succeeds and ranks with bm25().
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev libsqlite3-dev \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml setup.py README.md ./
COPY core core
COPY crawlers crawlers
COPY indexing indexing
COPY classify classify
COPY alerts alerts
COPY api api
COPY pressdesk pressdesk
COPY reports reports
RUN pip install --no-cache-dir '.[elasticsearch]'
ENV PRESSDESK_DATA_DIR=/data PRESSDESK_HTTP_HOST=0.0.0.0
VOLUME /data
EXPOSE 8000
CMD ["pressdesk", "serve"]
