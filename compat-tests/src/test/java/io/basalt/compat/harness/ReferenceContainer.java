package io.basalt.compat.harness;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * The reference redis-server as Testcontainers' {@code redis:7.0} image, used when a Docker
 * engine is reachable. Anything that goes wrong (no engine, no image, no pull access) returns
 * null, and the harness falls back to the local binary.
 */
final class ReferenceContainer {
    private ReferenceContainer() {}

    static RedisServerProcess tryStart() {
        if ("binary".equalsIgnoreCase(System.getenv("BASALT_REFERENCE"))) return null;
        // cheap pre-check, so machines without Docker (like this project's CI) skip the probing
        boolean hinted = System.getenv("DOCKER_HOST") != null
                || new java.io.File("/var/run/docker.sock").exists();
        if (!hinted) return null;
        try {
            if (!DockerClientFactory.instance().isDockerAvailable()) return null;
            GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse("redis:7.0"))
                    .withExposedPorts(6379)
                    // connections arrive through Docker's port mapping, not from loopback
                    .withCommand("redis-server", "--save", "", "--appendonly", "no",
                            "--enable-debug-command", "yes", "--protected-mode", "no")
                    .waitingFor(Wait.forListeningPort());
            c.start();
            if (!"localhost".equals(c.getHost()) && !"127.0.0.1".equals(c.getHost())) {
                c.stop(); // the harness connects to 127.0.0.1: a remote engine would not work
                return null;
            }
            return RedisServerProcess.ofContainer(c::stop, c.getMappedPort(6379));
        } catch (Throwable e) {
            System.err.println("redis:7.0 container not usable (" + e + "); using the local redis-server");
            return null;
        }
    }
}
