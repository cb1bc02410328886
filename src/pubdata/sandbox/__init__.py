"""The sandbox (数据沙箱): SQL checked before it runs next to the data, output rules, isolated jobs."""
