FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY core core
COPY crawlers crawlers
COPY indexing indexing
COPY classify classify
COPY alerts alerts
COPY api api
COPY pressdesk pressdesk
RUN pip install --no-cache-dir '.[elasticsearch]'
ENV PRESSDESK_DATA_DIR=/data PRESSDESK_HTTP_HOST=0.0.0.0
VOLUME /data
EXPOSE 8000
CMD ["pressdesk", "serve"]
