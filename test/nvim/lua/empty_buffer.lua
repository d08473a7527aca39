-- :Burrow task from Neovim started without a file: the client starts for the current directory
-- (the workspace) and the plan float opens.
local h = require('harness')
local plan = require('burrow.plan')
local client = require('burrow.client')
local out = { bufname = vim.api.nvim_buf_get_name(0) }
vim.cmd('Burrow task ' .. h.params.prompt)
h.wait_for('the plan float', function()
  return plan.current ~= nil
end)
out.root = client.running().config.root_dir
out.plan = vim.api.nvim_buf_get_lines(plan.current.buf, 0, -1, false)
return out
