// The node SDK probes Tencent Cloud's metadata service before requests unless told it is not
// needed, and keeps a 3 s "slow request" timer; neither exists offline.
process.env.TENCENTCLOUD = 'true'
process.env.SILENCE = 'true'
