package parley.frontend.http;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * Lets {@code GET /events} stream to any client. A browser's EventSource sends {@code Accept:
 * text/event-stream}, but curl and most HTTP libraries send {@code *}{@code /*} or nothing, and
 * Javalin's SSE handler answers those with an empty 200. The route only ever produces an event
 * stream, so every request to it is presented as asking for one.
 */
public final class EventStreamAccept implements Filter {
    private static final String EVENT_STREAM = "text/event-stream";

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        chain.doFilter(
                new HttpServletRequestWrapper((HttpServletRequest) request) {
                    @Override
                    public String getHeader(String name) {
                        return isAccept(name) ? EVENT_STREAM : super.getHeader(name);
                    }

                    @Override
                    public Enumeration<String> getHeaders(String name) {
                        return isAccept(name) ? Collections.enumeration(List.of(EVENT_STREAM)) : super.getHeaders(name);
                    }
                },
                response);
    }

    private static boolean isAccept(String name) {
        return "Accept".equalsIgnoreCase(name);
    }
}
