package parley.runtime.grpc;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.StatusOr;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A peer given as several {@code host:port} addresses ({@code a:3030,b:3030}): a gRPC name
 * resolver that hands all of them to the channel, whose default policy (pick_first) uses the first
 * that answers and moves on to the next when it goes away. One instance of a peer can then be
 * killed without its callers waiting for it to return.
 */
final class AddressList extends NameResolverProvider {
    static final String SCHEME = "parley-list";
    private static final AddressList INSTANCE = new AddressList();

    static {
        NameResolverRegistry.getDefaultRegistry().register(INSTANCE);
    }

    /** The channel target for {@code hostPorts}: as given for one address, else this resolver's. */
    static String target(String hostPorts) {
        return hostPorts.contains(",") ? SCHEME + ":///" + hostPorts.replace(" ", "") : hostPorts;
    }

    @Override
    protected boolean isAvailable() {
        return true;
    }

    @Override
    protected int priority() {
        return 5;
    }

    @Override
    public String getDefaultScheme() {
        return SCHEME;
    }

    @Override
    public NameResolver newNameResolver(URI uri, NameResolver.Args args) {
        if (!SCHEME.equals(uri.getScheme())) {
            return null;
        }
        List<EquivalentAddressGroup> groups = new ArrayList<>();
        for (String hostPort : uri.getPath().substring(1).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            SocketAddress address = new InetSocketAddress(
                    hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
            groups.add(new EquivalentAddressGroup(address));
        }
        return new NameResolver() {
            @Override
            public String getServiceAuthority() {
                return "parley-peers";
            }

            @Override
            public void start(Listener2 listener) {
                listener.onResult(ResolutionResult.newBuilder()
                        .setAddressesOrError(StatusOr.fromValue(groups))
                        .setAttributes(Attributes.EMPTY)
                        .build());
            }

            @Override
            public void shutdown() {}
        };
    }
}
