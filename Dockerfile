# Basalt container image, built from the jar Maven made on the host:
#
#   mvn -q -B -DskipTests package            # server/target/basalt-server-*-all.jar
#   docker/build-base-images.sh              # basalt/debian-jre:bookworm, from Debian packages
#   docker build -t basalt:latest .
#   docker run -d -p 6379:6379 -p 9121:9121 -v basalt-data:/data basalt:latest [--maxmemory 1gb ...]
#
# Arguments are redis-server's (a config file and/or --directive value), passed to
# bin/basalt-server; BASALT_* variables (-e BASALT_MAXMEMORY=1gb) and a YAML file
# (-e BASALT_CONFIG_YAML=/etc/basalt/basalt.yaml) configure it too (docs/operations.md).
# Any other first argument runs as a command (docker run --rm -it basalt redis-cli -h ...).
#
# BASE_IMAGE must provide Java 17+ (java on PATH or JAVA_HOME), bash, tini, curl and redis-cli;
# the default is made by docker/build-base-images.sh because Docker Hub may not be reachable.
ARG BASE_IMAGE=basalt/debian-jre:bookworm
FROM ${BASE_IMAGE}

# A fixed, non-root user (uid/gid 999, as the official redis image) owns /data, so a volume
# prepared for redis works unchanged.
RUN groupadd --system --gid 999 basalt \
 && useradd --system --uid 999 --gid basalt --home-dir /data --no-create-home --shell /usr/sbin/nologin basalt \
 && mkdir -p /data /opt/basalt/bin /opt/basalt/lib /etc/basalt \
 && chown basalt:basalt /data

COPY bin/basalt-server bin/basalt /opt/basalt/bin/
COPY docker/entrypoint.sh docker/healthcheck.sh /opt/basalt/docker/
COPY server/target/basalt-server-*-all.jar /opt/basalt/lib/

ENV PATH=/opt/basalt/bin:$PATH \
    BASALT_PORTS_FILE=/tmp/basalt.ports \
    BASALT_PROTECTED_MODE=no

# dir defaults to the working directory: RDB, AOF, nodes.conf and backups go to the volume
WORKDIR /data
VOLUME /data
USER basalt:basalt

# RESP, the operations HTTP listener (/metrics, /health/*), the cluster bus (port + 10000)
EXPOSE 6379 9121 16379

# /health/ready on the HTTP port the configuration resolved to (redis-cli PING if it is off)
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["/opt/basalt/docker/healthcheck.sh"]

# tini is PID 1: it forwards SIGTERM (docker stop) to Basalt, which shuts down as redis-server
# does (a final save when save points are set), and reaps what the JVM does not
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/basalt/docker/entrypoint.sh"]
CMD []
