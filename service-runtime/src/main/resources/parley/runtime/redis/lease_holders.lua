-- Marks the caller alive among the consumers that share the shards, forgets those silent for
-- longer than the lease time, and returns how many are alive (each takes about its share).
-- KEYS[1] lease_holders:<group>:<stream>   ARGV[1] consumer name   ARGV[2] lease time (ms)
-- ARGV[3] 1 to leave (a graceful stop)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[3] == '1' then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('ZADD', KEYS[1], now, ARGV[1])
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 10)
return redis.call('ZCARD', KEYS[1])
