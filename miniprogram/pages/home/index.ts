Component({
  data: {
    hotline: '',
    hours: '',
  },
})
