import { config } from './config'

App({
  onLaunch() {
    // Production (cloud transport): calls and uploads go to the environment the upload build
    // set (scripts/upload.ts writes transport and cloudEnv); the local mode needs no init.
    if (config.transport === 'cloud') wx.cloud.init({ env: config.cloudEnv, traceUser: true })
  },
})
