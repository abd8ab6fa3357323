# Single-node Elasticsearch with the ICU analysis plugin the pressdesk index template uses
# (icu_tokenizer, icu_folding for accent-insensitive Vietnamese search).
FROM docker.elastic.co/elasticsearch/elasticsearch:8.15.3
RUN bin/elasticsearch-plugin install --batch analysis-icu
