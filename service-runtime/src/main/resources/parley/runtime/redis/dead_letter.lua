-- Moves one entry of a consumer group to its dead-letter stream: the entry is never seen both
-- dead-lettered and still pending, nor neither. Both keys share a hash slot in cluster mode
-- (the dead-letter stream is named after the stream, hash tag included).
-- KEYS: 1 the stream, 2 its dead-letter stream
-- ARGV: 1 group, 2 entry id, 3 dead-letter MAXLEN (approximate), 4.. field/value pairs
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 4))
return redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
