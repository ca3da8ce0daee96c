// What every architecture derives from the run config: the encoder and the ASPP / decoder
// configurations, with `model.width` applied to every channel count.
import type { ModelConfig } from '../../api/config/schema.ts';
import type { AsppConfig } from '../aspp.ts';
import type { DecoderConfig } from '../decoder.ts';
import { scaleChannels, type Rng } from '../init.ts';
import { ResNet } from '../resnet.ts';

/** DeepLabV3+ widths at model.width = 1. */
export const ASPP_CHANNELS = 256;
export const SKIP_CHANNELS = 48;
export const DECODER_CHANNELS = 256;

export function buildEncoder(rng: Rng, cfg: ModelConfig): ResNet {
  return new ResNet(rng, {
    name: cfg.encoder,
    width: cfg.width,
    dilation: cfg.dilation,
    se: cfg.se === 'encoder' || cfg.se === 'both',
    strideIn1x1: cfg.strideIn1x1,
  });
}

export function headConfigs(cfg: ModelConfig, encoder: ResNet): { aspp: AsppConfig; decoder: DecoderConfig } {
  if (cfg.extraSkips && !cfg.skip)
    throw new Error('model.extraSkips needs model.skip = true (the extra skips feed the DeepLabV3+ decoder)');
  const seDecoder = cfg.se === 'decoder' || cfg.se === 'both';
  const channels = scaleChannels(ASPP_CHANNELS, cfg.width);
  const [layer1, layer2, layer3, layer4] = encoder.features;
  const aspp: AsppConfig = {
    enabled: cfg.aspp,
    inChannels: layer4.channels,
    channels,
    rates: cfg.asppRates,
    dropout: cfg.asppDropout,
    se: seDecoder,
  };
  const decoder: DecoderConfig = {
    full: cfg.skip,
    inChannels: channels,
    skipInChannels: cfg.extraSkips ? [layer1.channels, layer2.channels, layer3.channels] : [layer1.channels],
    skipChannels: scaleChannels(SKIP_CHANNELS, cfg.width),
    channels: scaleChannels(DECODER_CHANNELS, cfg.width),
    se: seDecoder,
  };
  return { aspp, decoder };
}
