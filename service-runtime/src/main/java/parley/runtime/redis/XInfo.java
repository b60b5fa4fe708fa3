package parley.runtime.redis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading {@code XINFO} replies, which lettuce hands over raw. */
final class XInfo {
    private XInfo() {}

    /** One reply entry (a flat list of name, value, …) as a map. */
    static Map<String, Object> fields(Object raw) {
        Map<String, Object> info = new LinkedHashMap<>();
        if (raw instanceof List<?> pairs) {
            for (int i = 0; i + 1 < pairs.size(); i += 2) {
                info.put(String.valueOf(pairs.get(i)), pairs.get(i + 1));
            }
        }
        return info;
    }
}
